namespace TraceExporter.Configuration;

public enum MapUpdate
{
    /// <summary>The map keeps counting; each print is the total so far. Exact: nothing is lost between prints.</summary>
    Cumulative,

    /// <summary>The daemon clears the map after each print, so it holds one interval's worth (keeps pid-keyed maps small).</summary>
    Delta,
}
