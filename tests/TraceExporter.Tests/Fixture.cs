using System.Text;
using TraceExporter.Parsing;

namespace TraceExporter.Tests;

/// <summary>Real recorded bpftrace output under Fixtures/, parsed line by line as the daemon does.</summary>
internal static class Fixture
{
    public static readonly string[] Versions = ["0.17.0", "0.23.2", "0.27.1"];

    public static string PathOf(string version, string file) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", $"bpftrace-{version}", file);

    public static RecordingSink Parse(string version, string name)
    {
        var sink = new RecordingSink();
        var parser = new BpftraceJsonParser();
        foreach (var line in File.ReadAllBytes(PathOf(version, name + ".jsonl")).AsSpan().ToArray().Split((byte)'\n'))
        {
            parser.Parse(line, sink);
        }

        return sink;
    }

    public static RecordingSink ParseText(string text)
    {
        var sink = new RecordingSink();
        var parser = new BpftraceJsonParser();
        foreach (var line in Encoding.UTF8.GetBytes(text).Split((byte)'\n'))
        {
            parser.Parse(line, sink);
        }

        return sink;
    }

    private static List<byte[]> Split(this byte[] bytes, byte separator)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == separator)
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return lines;
    }
}
