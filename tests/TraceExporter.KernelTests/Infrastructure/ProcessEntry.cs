namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>One process from /proc/PID/stat; the start time tells a process from a later one reusing its pid.</summary>
internal sealed record ProcessEntry(int Pid, string Comm, char State, int ParentPid, ulong StartTime)
{
    public override string ToString() => $"{Pid} ({Comm}) state {State} ppid {ParentPid}";
}
