using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>
/// What a metric family looks like on the page: its HELP and TYPE lines, and every sample with exactly the
/// configured label names (a histogram's <c>_bucket</c> samples with <c>le</c> besides).
/// </summary>
internal static class ExpositionShape
{
    /// <summary>Every way the family differs from the expected shape; empty when it matches.</summary>
    public static IReadOnlyList<string> Problems(MetricsPage page, string name, string type, params string[] labelNames)
    {
        var problems = new List<string>();
        var lines = page.Text.Split('\n');
        if (!lines.Contains($"# TYPE {name} {type}"))
        {
            problems.Add($"no line '# TYPE {name} {type}'");
        }

        if (!lines.Any(l => l.StartsWith($"# HELP {name} ", StringComparison.Ordinal)))
        {
            problems.Add($"no '# HELP {name} ...' line");
        }

        var shapes = type == "histogram"
            ? new[] { (name + "_bucket", labelNames.Append("le").ToArray()), (name + "_sum", labelNames), (name + "_count", labelNames) }
            : [(name, labelNames)];
        foreach (var (sampleName, expected) in shapes)
        {
            var samples = page.Named(sampleName);
            if (samples.Count == 0)
            {
                problems.Add($"no {sampleName} sample");
            }

            problems.AddRange(samples
                .Where(s => !s.Labels.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
                .Select(s => $"{s} does not have exactly the labels [{string.Join(", ", expected)}]"));
        }

        return problems;
    }
}
