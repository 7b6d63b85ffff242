namespace TraceExporter.Configuration;

public enum MapUpdate
{
    /// <summary>
    /// The map keeps counting for the process's life; each print is the total so far. For maps whose keys are
    /// few (or gauges of plain values): the kernel map must hold every key ever seen.
    /// </summary>
    Cumulative,

    /// <summary>
    /// The kernel map holds one interval: the daemon keeps two copies of it, writes go to one while the other,
    /// no longer written, is printed and cleared, and the daemon adds up what each print holds. Nothing is lost
    /// between a print and a clear, and the map needs room only for one interval's distinct keys.
    /// </summary>
    Delta,
}
