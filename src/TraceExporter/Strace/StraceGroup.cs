using TraceExporter.Probes;

namespace TraceExporter.Strace;

/// <summary>A strace probe under a <see cref="ChildSupervisor"/>: its runner follows its own target until stopped.</summary>
public sealed class StraceGroup(StraceProbeRunner runner) : IChildGroup
{
    public string Name => runner.State.Name;

    public StraceProbeRunner Runner => runner;

    public async Task<ChildRun> RunOnceAsync(bool restart, CancellationToken stopping)
    {
        var started = DateTimeOffset.UtcNow;
        await runner.RunAsync(stopping).ConfigureAwait(false);
        return new ChildRun(ChildRunEnd.Finished, DateTimeOffset.UtcNow - started);
    }
}
