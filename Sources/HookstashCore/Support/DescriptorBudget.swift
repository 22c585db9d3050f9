/// How many connections each listener may hold open, shared out from the process's file-descriptor limit.
///
/// A process out of descriptors fails every `accept`, and also every SQLite file and body file it opens. So the
/// capture listener stops accepting while it holds its share (connections wait in the kernel's backlog), and the
/// inspector has its own, smaller share: a flood of webhooks cannot take the descriptors the store and the
/// inspector need.
///
/// Pure arithmetic: the process's limit is read (and raised) outside Core (`ProcessDescriptorLimit`, in HookstashStore).
public struct DescriptorBudget: Sendable {
    /// The soft `RLIMIT_NOFILE` the budget was made from.
    public var descriptorLimit: Int
    public var captureConnections: Int
    public var inspectorConnections: Int

    /// Keeps an eighth of the limit, and at least 48, for the store (its connections, WAL and shared memory),
    /// body files, event loops and the inspector.
    public init(descriptorLimit: Int) {
        let reserved = max(48, descriptorLimit / 8)
        self.descriptorLimit = descriptorLimit
        captureConnections = max(8, descriptorLimit - reserved)
        inspectorConnections = min(256, max(4, reserved / 4))
    }
}
