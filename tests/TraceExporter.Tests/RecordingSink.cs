using System.Text;
using TraceExporter.Parsing;

namespace TraceExporter.Tests;

/// <summary>Writes every record the parser reports as one readable line, so tests compare text.</summary>
internal sealed class RecordingSink : IRecordSink
{
    private string _map = "";

    public List<string> Events { get; } = [];

    public List<ParseError> Errors { get; } = [];

    public long LostEvents { get; private set; }

    public void OnAttachedProbes(long count) => Events.Add($"attached {count}");

    public void OnPrintf(ReadOnlySpan<byte> text) => Events.Add($"printf {Encoding.UTF8.GetString(text)}");

    public void OnLostEvents(long count)
    {
        LostEvents += count;
        Events.Add($"lost {count}");
    }

    public void OnMapStart(ReadOnlySpan<byte> mapName) => _map = Encoding.UTF8.GetString(mapName);

    public void OnValue(ReadOnlySpan<byte> key, long value) => Events.Add($"{_map}[{Encoding.UTF8.GetString(key)}] = {value}");

    public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets)
    {
        var text = new StringBuilder($"{_map}[{Encoding.UTF8.GetString(key)}] hist");
        foreach (var b in buckets)
        {
            text.Append($" {b.Min?.ToString() ?? "-inf"}..{b.Max?.ToString() ?? "+inf"}:{b.Count}");
        }

        Events.Add(text.ToString());
    }

    public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) =>
        Events.Add($"{_map}[{Encoding.UTF8.GetString(key)}] stats count={count?.ToString() ?? "?"} avg={average} total={total?.ToString() ?? "?"}");

    public void OnMapEnd() => _map = "";

    public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> helper, int line, ReadOnlySpan<byte> message) =>
        Events.Add($"error {Encoding.UTF8.GetString(type)}{(helper.IsEmpty ? "" : " " + Encoding.UTF8.GetString(helper))} line {line}: {Encoding.UTF8.GetString(message)}");

    public void OnMalformed(ParseError kind) => Errors.Add(kind);

    /// <summary>Keys as raw bytes, for tests of exact names.</summary>
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
