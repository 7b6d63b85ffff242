using System.Text.RegularExpressions;

namespace TraceExporter.Configuration;

/// <summary>
/// What a name in the configuration may be, in one place. Every pattern ends in <c>\z</c>, not <c>$</c>, which
/// would let a final newline through (a YAML block scalar ends in one), and a newline in a name breaks the page.
/// </summary>
internal static partial class NameRules
{
    /// <summary>The .NET process metrics (<c>process_*</c>, <c>dotnet_*</c>) and the exporter's own: a user metric must not pass for one.</summary>
    public static readonly IReadOnlyList<string> ReservedMetricPrefixes = ["process_", "dotnet_", "trace_exporter_"];

    public static bool IsMetricName(string name) => MetricName().IsMatch(name);

    public static bool IsLabelName(string name) => LabelName().IsMatch(name) && !name.StartsWith("__", StringComparison.Ordinal);

    public static bool IsProbeName(string name) => ProbeName().IsMatch(name);

    public static bool IsMapName(string name) => MapName().IsMatch(name);

    /// <summary>The reserved prefix <paramref name="name"/> starts with, or null.</summary>
    public static string? ReservedPrefixOf(string name) => ReservedMetricPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The label a type of metric writes itself: <c>le</c> on histogram buckets, <c>quantile</c> on summaries.</summary>
    public static string? ReservedLabelOf(MetricType type) => type switch
    {
        MetricType.Histogram => "le",
        MetricType.Summary => "quantile",
        _ => null,
    };

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*\z")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*\z")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*\z")]
    private static partial Regex ProbeName();

    [GeneratedRegex(@"^@[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex MapName();
}
