using System.Text;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

/// <summary>Real strace output recorded by Fixtures/strace/record.sh, parsed line by line as the daemon does.</summary>
internal static class StraceFixture
{
    /// <summary>record.sh works in this directory, so paths in the fixtures start with it.</summary>
    public const string WorkDirectory = "/tmp/te-strace-fixture";

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "strace", name + ".txt");

    public static List<StraceEvent> Parse(string name) => ParseText(File.ReadAllText(PathOf(name), Encoding.Latin1));

    public static List<StraceEvent> ParseText(string text)
    {
        var parser = new StraceLineParser();
        var events = new List<StraceEvent>();
        foreach (var line in text.Split('\n'))
        {
            if (parser.Parse(line) is { } ev)
            {
                events.Add(ev);
            }
        }

        Assert.Equal(0, parser.PendingCalls);
        return events;
    }
}
