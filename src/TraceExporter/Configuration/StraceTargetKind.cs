namespace TraceExporter.Configuration;

/// <summary>What a strace probe attaches to.</summary>
public enum StraceTargetKind
{
    /// <summary>One running process (<c>strace -p PID</c>) and the children it starts from then on.</summary>
    Pid,

    /// <summary>Every process whose name (<c>/proc/PID/comm</c>) is the target, and each new one as it appears.</summary>
    Name,

    /// <summary>A command the daemon starts under strace, and starts again when it ends.</summary>
    Command,
}
