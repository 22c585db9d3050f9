import CCurl
import HookstashCore
