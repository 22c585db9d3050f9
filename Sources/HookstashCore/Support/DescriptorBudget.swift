#if canImport(Glibc)
    import Glibc
#endif

/// How many connections each listener may hold open, shared out from the process's file-descriptor limit.
///
/// A process out of descriptors fails every `accept`, and also every SQLite file and body file it opens. So the
/// capture listener stops accepting while it holds its share (connections wait in the kernel's backlog), and the
/// inspector has its own, smaller share: a flood of webhooks cannot take the descriptors the store and the
/// inspector need.
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

    /// The budget for this process's current limit.
    public static func current() -> DescriptorBudget {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return DescriptorBudget(descriptorLimit: 1024)
        }
        return DescriptorBudget(descriptorLimit: Int(clamping: limit.rlim_cur))
    }

    /// Raises the soft descriptor limit to the hard one (at most `ceiling`), as Go programs do at start-up: the
    /// usual soft default of 1,024 would cap a server at about 900 connections for no reason of its own.
    /// Returns the limit now in force.
    @discardableResult
    public static func raiseSoftLimit(ceiling: Int = 1 << 20) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = min(limit.rlim_max, rlim_t(ceiling))
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(clamping: wanted) }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
