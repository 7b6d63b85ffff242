using Prometheus;
using TraceExporter.Configuration;

namespace TraceExporter.Metrics;

/// <summary>Line mode: a printf line that matches the rule adds one to its family's series of the named groups.</summary>
public sealed class LineRoute(LineMetricConfig rule, MetricFamily family, Counter.Child dropped)
{
    public MetricFamily Family => family;

    /// <summary>False when the line does not match, or could not be matched in time (an unmatched line too).</summary>
    public bool TryCount(string line)
    {
        if (rule.Pattern.Match(line) is not { } values)
        {
            return false;
        }

        var series = family.Resolve(values);
        if (series is null)
        {
            dropped.Inc();
        }

        family.AddValue(series, 1, MapUpdate.Delta);
        family.ExpireIdle();
        return true;
    }
}
