namespace TraceExporter.Probes;

/// <summary>Something the <see cref="ChildSupervisor"/> keeps running: one bpftrace group, or one strace probe.</summary>
public interface IChildGroup
{
    string Name { get; }

    /// <summary>Runs the child once, until it ends or <paramref name="stopping"/> is cancelled.</summary>
    /// <param name="restart">Whether this run follows one that ended (for the restarts counter).</param>
    Task<ChildRun> RunOnceAsync(bool restart, CancellationToken stopping);
}
