using System.Text;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Assertion messages that show the numbers, the relevant /metrics lines and the daemon's log.</summary>
internal static class FailureReport
{
    private const int LogLines = 150;

    public static string Describe(
        string what, DaemonProcess daemon, MetricsPage? page, IEnumerable<string> metricNames, params string[] facts)
    {
        var text = new StringBuilder();
        text.AppendLine(what);
        foreach (var fact in facts)
        {
            text.Append("  ").AppendLine(fact);
        }

        if (page is not null)
        {
            foreach (var name in metricNames)
            {
                text.AppendLine($"--- /metrics lines for {name}:").AppendLine(page.Excerpt(name));
            }
        }

        text.AppendLine($"--- daemon output (last {LogLines} lines):").AppendLine(Tail(daemon.Output, LogLines));
        return text.ToString();
    }

    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return all.Length <= lines ? text : string.Join('\n', all[^lines..]);
    }
}
