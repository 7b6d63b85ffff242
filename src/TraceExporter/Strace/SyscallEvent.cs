namespace TraceExporter.Strace;

/// <summary>
/// A finished system call. <see cref="Path"/> is the path argument of calls that take one (open, openat, stat,
/// execve, unlink, …), decoded from strace's string syntax; null for other calls. <see cref="Errno"/> is the
/// error's name (ENOENT, EACCES, …) when <see cref="Outcome"/> is <see cref="SyscallOutcome.Error"/>.
/// </summary>
public sealed record SyscallEvent(int Pid, string Syscall, SyscallOutcome Outcome, string? Errno, string? Path) : StraceEvent(Pid)
{
    /// <summary>The value of the <c>result</c> label: ok, error or unknown.</summary>
    public string ResultLabel => Outcome switch
    {
        SyscallOutcome.Ok => "ok",
        SyscallOutcome.Error => "error",
        _ => "unknown",
    };
}
