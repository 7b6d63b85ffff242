using Xunit;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>Waits for a PromQL query's answer to satisfy a condition; fails with the last answer and the logs.</summary>
internal static class PrometheusAssert
{
    public static async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> EventuallyAsync(
        PrometheusServer prometheus,
        string expression,
        Func<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>, bool> condition,
        TimeSpan deadline,
        Func<string> context)
    {
        IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)> last = [];
        if (await Poll.UntilAsync(async () => condition(last = await prometheus.QueryAsync(expression)), deadline, TimeSpan.FromSeconds(1)))
        {
            return last;
        }

        var shown = string.Join("\n", last.Select(r => "{" + string.Join(", ", r.Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + r.Value));
        Assert.Fail($"'{expression}' did not come true within {deadline}; last answer ({last.Count} series):\n{shown}\n{context()}\n{prometheus.Output}");
        return last;
    }
}
