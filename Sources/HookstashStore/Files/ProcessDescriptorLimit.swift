import HookstashCore

#if canImport(Glibc)
    import Glibc
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`): the I/O behind `DescriptorBudget` (which is pure arithmetic
/// in Core). Here, beside the store, because the budget exists to keep descriptors for the store's files; the
/// capture listener and the inspector size their default connection limits from it, and `ServeApplication`
/// raises it at start.
public enum ProcessDescriptorLimit {
    /// The soft limit now in force; 1,024 when it cannot be read.
    public static func current() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft limit to the hard one (at most `ceiling`), as Go programs do at start-up: the usual soft
    /// default of 1,024 would cap a server at about 900 connections for no reason of its own. Returns the limit
    /// now in force.
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

    /// The budget for the limit in force.
    public static func budget() -> DescriptorBudget {
        DescriptorBudget(descriptorLimit: current())
    }
}
