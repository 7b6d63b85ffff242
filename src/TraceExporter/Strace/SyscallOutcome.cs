namespace TraceExporter.Strace;

/// <summary>How a system call ended, as the <c>result</c> label says it.</summary>
public enum SyscallOutcome
{
    /// <summary>Returned a value that is not an error.</summary>
    Ok,

    /// <summary>Returned an error (<c>-1 ENOENT (...)</c>, or <c>? ERESTARTSYS</c> when a signal interrupted it).</summary>
    Error,

    /// <summary>Never returned to the caller: <c>exit_group</c>, <c>execve</c> in a thread that died, a process killed mid-call (<c>= ?</c>).</summary>
    Unknown,
}
