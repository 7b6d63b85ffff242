namespace TraceExporter.Strace;

/// <summary>One complete thing strace reported about one process: a system call, a signal, an exit, or a line it could not read.</summary>
public abstract record StraceEvent(int Pid);
