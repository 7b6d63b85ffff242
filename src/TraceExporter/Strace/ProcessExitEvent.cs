namespace TraceExporter.Strace;

/// <summary>A traced process ended: <c>+++ exited with 3 +++</c> (<see cref="ExitCode"/>) or <c>+++ killed by SIGKILL +++</c> (<see cref="KilledBy"/>).</summary>
public sealed record ProcessExitEvent(int Pid, int? ExitCode, string? KilledBy) : StraceEvent(Pid)
{
    public override string ToString() => ExitCode is { } code ? $"exited with {code}" : $"killed by {KilledBy}";
}
