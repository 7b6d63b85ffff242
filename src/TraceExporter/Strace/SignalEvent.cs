namespace TraceExporter.Strace;

/// <summary>A signal delivered to a traced process (<c>--- SIGCHLD {...} ---</c>) or stopping it (<c>--- stopped by SIGSTOP ---</c>).</summary>
public sealed record SignalEvent(int Pid, string Signal) : StraceEvent(Pid);
