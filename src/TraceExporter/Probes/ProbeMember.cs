namespace TraceExporter.Probes;

/// <summary>
/// A probe as its bpftrace process sees it: the program text it contributes, the maps printed for it on
/// each interval, and where their records go. Built-in probes share a process; each user probe has its own.
/// </summary>
public abstract class ProbeMember
{
    public abstract string Name { get; }

    /// <summary>"builtin" or "bpftrace" (a user's program), for the landing page.</summary>
    public abstract string Source { get; }

    /// <summary>The probe blocks (for a user probe: the whole program, a leading <c>config = {…}</c> included).</summary>
    public abstract string Program { get; }

    /// <summary>
    /// The program as blocks, where the member can say it so (built-ins): blocks of several members on one
    /// attach point are then joined into one program. Null: <see cref="Program"/> is used as it is.
    /// </summary>
    public virtual IReadOnlyList<ProbeBlock>? Blocks => null;

    /// <summary>The maps the daemon prints on each interval; a delta map is cleared right after its print.</summary>
    public abstract IReadOnlyList<MapPrint> Prints { get; }

    /// <summary>Where the records of <paramref name="mapName"/> (with its '@') go, or null when the map is not ours.</summary>
    public abstract IMapConsumer? ConsumerFor(ReadOnlySpan<byte> mapName);

    /// <summary>A <c>printf</c> record of this probe's process (line mode).</summary>
    public virtual void OnPrintf(ReadOnlySpan<byte> text)
    {
    }

    /// <summary>A new bpftrace process starts: its maps count from zero again.</summary>
    public abstract void StartGeneration();

    public ProbeStatus Status { get; set; } = ProbeStatus.Starting;

    public string? Reason { get; set; }
}
