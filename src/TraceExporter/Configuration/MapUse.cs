namespace TraceExporter.Configuration;

/// <summary>
/// One place where a bpftrace program names a map. <see cref="Start"/> is the index of its <c>@</c>;
/// for a write, <see cref="End"/> is just past the written expression (the aggregation's closing
/// parenthesis, the <c>++</c>, the assigned value) and <see cref="StatementEnd"/> also takes the <c>;</c>
/// that follows it, if any. <see cref="Line"/> counts from 1.
/// </summary>
public sealed record MapUse(string Map, MapUseKind Kind, string? Function, int Start, int End, int StatementEnd, int Line)
{
    /// <summary>A write the daemon can point at another map: an aggregation call or an increment.</summary>
    public bool IsAccumulating => Kind is MapUseKind.Aggregation or MapUseKind.Increment;
}
