using System.Text.RegularExpressions;
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
        Match match;
        try
        {
            match = rule.Pattern.Match(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        if (!match.Success)
        {
            return false;
        }

        var values = new string[rule.Labels.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = match.Groups[rule.Labels[i]].Value;
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
