namespace TraceExporter.Probes;

public enum ChildRunEnd
{
    /// <summary>The child ended: start it again after a backoff delay.</summary>
    Ended,

    /// <summary>Start again at once, as a first start (the group changed, e.g. members that cannot run here were dropped).</summary>
    Retry,

    /// <summary>Nothing more to run (every member failed, a pid target exited): the supervisor stops.</summary>
    Finished,
}
