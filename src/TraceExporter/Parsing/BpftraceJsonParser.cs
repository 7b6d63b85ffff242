using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace TraceExporter.Parsing;

/// <summary>
/// Turns one line of <c>bpftrace -f json</c> output into calls on an <see cref="IRecordSink"/>.
/// Pure and streaming: no I/O, and no allocation per map entry once its scratch buffers have grown.
/// Understands the record shapes of bpftrace 0.14 to 0.27 (see shared/notes/BPFTRACE.md).
/// One instance per output stream; not thread-safe. Entries are delivered as they are read, so a line cut
/// short delivers the entries before the cut and is then reported malformed: harmless for cumulative maps,
/// whose every entry stands alone, and histograms are delivered only once all their buckets are read.
/// </summary>
public sealed class BpftraceJsonParser
{
    // bpftrace escapes each byte >= 0x80 as \uffffffXX on x86-64 (signed char). We rewrite it in place to
    // \uE0XX, a private-use code point bpftrace never writes itself, and turn that back into the raw byte
    // after unescaping, so names keep their exact bytes.
    private const byte MarkerLead = 0xEE;

    private byte[] _keyScratch = new byte[256];
    private byte[] _stringScratch = new byte[256];
    private HistogramBucket[] _buckets = new HistogramBucket[64];
    private bool _lineHadHighBytes;

    /// <summary>Parses one line (without its '\n'). The line's bytes may be rewritten in place.</summary>
    public void Parse(Span<byte> line, IRecordSink sink)
    {
        var start = 0;
        while (start < line.Length && IsBlank(line[start]))
        {
            start++;
        }

        if (start == line.Length)
        {
            return; // ≤0.23 prints blank lines before the exit-time dump.
        }

        if (line[start] != (byte)'{')
        {
            sink.OnMalformed(ParseError.UnexpectedShape);
            return;
        }

        line = line[start..];
        var length = RewriteHighByteEscapes(line);
        _lineHadHighBytes = length != line.Length;

        try
        {
            ParseRecord(line[..length], sink);
        }
        catch (JsonException)
        {
            sink.OnMalformed(ParseError.InvalidJson);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader throws this for a token of the wrong type (a string where a number should be, …).
            sink.OnMalformed(ParseError.UnexpectedShape);
        }
        catch (ArgumentException)
        {
            sink.OnMalformed(ParseError.InvalidJson);
        }
    }

    private void ParseRecord(ReadOnlySpan<byte> json, IRecordSink sink)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        Expect(ref reader, JsonTokenType.StartObject);

        var type = RecordType.Unknown;
        long? topCount = null;
        ReadOnlySpan<byte> message = default;
        ReadOnlySpan<byte> helper = default;
        var line = 0;
        var handledData = false;
        var typeName = ReadOnlySpan<byte>.Empty;

        while (Read(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                Read(ref reader);
                typeName = reader.ValueSpan;
                type = Classify(typeName);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                Read(ref reader);
                handledData = ParseData(ref reader, type, sink);
            }
            else if (reader.ValueTextEquals("count"u8))
            {
                Read(ref reader);
                topCount = ReadInteger(ref reader);
            }
            else if (reader.ValueTextEquals("msg"u8))
            {
                Read(ref reader);
                message = Unescape(ref reader, ref _stringScratch);
            }
            else if (reader.ValueTextEquals("helper"u8))
            {
                Read(ref reader);
                helper = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : default;
            }
            else if (reader.ValueTextEquals("line"u8))
            {
                Read(ref reader);
                line = TryReadInteger(ref reader, out var number) && number is > 0 and <= int.MaxValue ? (int)number : 0;
            }
            else
            {
                Read(ref reader);
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            throw new JsonException("data after the record"); // e.g. two records run together
        }

        switch (type)
        {
            case RecordType.AttachedProbes when !handledData && topCount is { } probes:
                sink.OnAttachedProbes(probes);
                break;
            case RecordType.LostEvents when !handledData && topCount is { } lost:
                sink.OnLostEvents(lost);
                break;
            case RecordType.RuntimeError:
                sink.OnRuntimeError(typeName, helper, line, message);
                break;
            case RecordType.Unknown:
                sink.OnMalformed(ParseError.UnexpectedShape);
                break;
            default:
                if (!handledData)
                {
                    sink.OnMalformed(ParseError.UnexpectedShape);
                }

                break;
        }
    }

    /// <summary>Returns false when the data was not of the shape the type promises.</summary>
    private bool ParseData(ref Utf8JsonReader reader, RecordType type, IRecordSink sink)
    {
        switch (type)
        {
            case RecordType.AttachedProbes:
                return ReadNamedInteger(ref reader, "probes"u8, sink.OnAttachedProbes);
            case RecordType.LostEvents:
                // 0.18–0.23 may put a string here when watchpoint registers run out: not a count.
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    return true;
                }

                return ReadNamedInteger(ref reader, "events"u8, sink.OnLostEvents);
            case RecordType.Printf:
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return false;
                }

                sink.OnPrintf(Unescape(ref reader, ref _stringScratch));
                return true;
            case RecordType.Map:
            case RecordType.Hist:
            case RecordType.Stats:
                return ParseMaps(ref reader, type, sink);
            default:
                reader.Skip();
                return true; // time, cat, join, value, syscall, tseries: nothing to export.
        }
    }

    private static bool ReadNamedInteger(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, Action<long> onValue)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var found = false;
        while (Read(ref reader) == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            Read(ref reader);
            if (match)
            {
                onValue(ReadInteger(ref reader));
                found = true;
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private bool ParseMaps(ref Utf8JsonReader reader, RecordType type, IRecordSink sink)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var ok = true;
        while (Read(ref reader) == JsonTokenType.PropertyName)
        {
            sink.OnMapStart(Unescape(ref reader, ref _keyScratch));
            Read(ref reader);
            ok &= type switch
            {
                RecordType.Map => ParseMapValue(ref reader, sink),
                RecordType.Hist => ParseHistValue(ref reader, sink),
                _ => ParseStatsValue(ref reader, sink),
            };
            sink.OnMapEnd();
        }

        return ok;
    }

    private bool ParseMapValue(ref Utf8JsonReader reader, IRecordSink sink)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
            case JsonTokenType.String:
                sink.OnValue(ReadOnlySpan<byte>.Empty, ReadInteger(ref reader));
                return true;
            case JsonTokenType.StartObject:
                var ok = true;
                while (Read(ref reader) == JsonTokenType.PropertyName)
                {
                    var key = Unescape(ref reader, ref _keyScratch);
                    Read(ref reader);
                    if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && TryReadInteger(ref reader, out var value))
                    {
                        sink.OnValue(key, value);
                    }
                    else
                    {
                        reader.Skip(); // tuple or struct values are not numbers to export
                        ok = false;
                    }
                }

                return ok;
            default:
                reader.Skip();
                return false;
        }
    }

    private bool ParseHistValue(ref Utf8JsonReader reader, IRecordSink sink)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray:
                sink.OnHistogram(ReadOnlySpan<byte>.Empty, ReadBuckets(ref reader));
                return true;
            case JsonTokenType.String:
                // 0.14 printed an empty hist as "".
                sink.OnHistogram(ReadOnlySpan<byte>.Empty, ReadOnlySpan<HistogramBucket>.Empty);
                return true;
            case JsonTokenType.StartObject:
                while (Read(ref reader) == JsonTokenType.PropertyName)
                {
                    var key = Unescape(ref reader, ref _keyScratch);
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        sink.OnHistogram(key, ReadBuckets(ref reader));
                    }
                    else
                    {
                        reader.Skip();
                        sink.OnHistogram(key, ReadOnlySpan<HistogramBucket>.Empty);
                    }
                }

                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    private ReadOnlySpan<HistogramBucket> ReadBuckets(ref Utf8JsonReader reader)
    {
        var n = 0;
        while (Read(ref reader) == JsonTokenType.StartObject)
        {
            long? min = null, max = null;
            long count = 0;
            while (Read(ref reader) == JsonTokenType.PropertyName)
            {
                var which = reader.ValueTextEquals("min"u8) ? 0 : reader.ValueTextEquals("max"u8) ? 1 : reader.ValueTextEquals("count"u8) ? 2 : 3;
                Read(ref reader);
                if (which == 3)
                {
                    reader.Skip();
                    continue;
                }

                var value = ReadInteger(ref reader);
                switch (which)
                {
                    case 0: min = value; break;
                    case 1: max = value; break;
                    default: count = value; break;
                }
            }

            if (n == _buckets.Length)
            {
                Array.Resize(ref _buckets, n * 2);
            }

            _buckets[n++] = new HistogramBucket(min, max, count);
        }

        return _buckets.AsSpan(0, n);
    }

    private bool ParseStatsValue(ref Utf8JsonReader reader, IRecordSink sink)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
            case JsonTokenType.String:
                sink.OnStats(ReadOnlySpan<byte>.Empty, null, ReadInteger(ref reader), null);
                return true;
            case JsonTokenType.StartObject:
                if (IsStatsTriple(reader))
                {
                    ReadStatsTriple(ref reader, ReadOnlySpan<byte>.Empty, sink);
                    return true;
                }

                while (Read(ref reader) == JsonTokenType.PropertyName)
                {
                    var key = Unescape(ref reader, ref _keyScratch);
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadStatsTriple(ref reader, key, sink);
                    }
                    else
                    {
                        sink.OnStats(key, null, ReadInteger(ref reader), null); // keyed avg()
                    }
                }

                return true;
            default:
                reader.Skip();
                return false;
        }
    }

    /// <summary>
    /// Tells an unkeyed stats() object <c>{"count":…,"average":…,"total":…}</c> from a keyed avg() map,
    /// by looking ahead on a copy of the reader.
    /// </summary>
    private static bool IsStatsTriple(Utf8JsonReader lookahead)
    {
        var seen = 0;
        while (Read(ref lookahead) == JsonTokenType.PropertyName)
        {
            if (!(lookahead.ValueTextEquals("count"u8) || lookahead.ValueTextEquals("average"u8) || lookahead.ValueTextEquals("total"u8)))
            {
                return false;
            }

            Read(ref lookahead);
            if (lookahead.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
            {
                return false;
            }

            seen++;
        }

        return seen == 3;
    }

    private static void ReadStatsTriple(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> key, IRecordSink sink)
    {
        long? count = null, total = null;
        long average = 0;
        while (Read(ref reader) == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("count"u8) ? 0 : reader.ValueTextEquals("average"u8) ? 1 : reader.ValueTextEquals("total"u8) ? 2 : 3;
            Read(ref reader);
            if (which == 3)
            {
                reader.Skip();
                continue;
            }

            var value = ReadInteger(ref reader);
            switch (which)
            {
                case 0: count = value; break;
                case 1: average = value; break;
                default: total = value; break;
            }
        }

        sink.OnStats(key, count, average, total);
    }

    /// <summary>Integers are JSON numbers, or strings in ≥0.24 when they exceed 2^53.</summary>
    private static long ReadInteger(ref Utf8JsonReader reader)
    {
        if (TryReadInteger(ref reader, out var value))
        {
            return value;
        }

        throw new InvalidOperationException("not an integer");
    }

    private static bool TryReadInteger(ref Utf8JsonReader reader, out long value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out value))
            {
                return true;
            }

            if (reader.TryGetUInt64(out var big))
            {
                value = big > long.MaxValue ? long.MaxValue : (long)big;
                return true;
            }

            if (reader.TryGetDouble(out var d) && double.IsFinite(d))
            {
                value = (long)Math.Clamp(d, long.MinValue, long.MaxValue);
                return true;
            }

            value = 0;
            return false;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            if (Utf8Parser.TryParse(text, out value, out var used) && used == text.Length)
            {
                return true;
            }

            if (Utf8Parser.TryParse(text, out ulong big, out used) && used == text.Length)
            {
                value = big > long.MaxValue ? long.MaxValue : (long)big;
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>The current string or property name, unescaped, as UTF-8 bytes with bpftrace's raw bytes restored.</summary>
    private Span<byte> Unescape(scoped ref Utf8JsonReader reader, ref byte[] scratch)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new InvalidOperationException("not a string");
        }

        // Copied even when unescaped: the span must not outlive the reader (and a memcpy allocates nothing).
        if (scratch.Length < reader.ValueSpan.Length)
        {
            scratch = new byte[Math.Max(reader.ValueSpan.Length, scratch.Length * 2)];
        }

        if (!reader.ValueIsEscaped)
        {
            reader.ValueSpan.CopyTo(scratch);
            return scratch.AsSpan(0, reader.ValueSpan.Length);
        }

        var written = reader.CopyString(scratch);
        return _lineHadHighBytes ? RestoreMarkedBytes(scratch.AsSpan(0, written)) : scratch.AsSpan(0, written);
    }

    /// <summary>Replaces each UTF-8-encoded U+E0XX (EE 82|83 XX) by the single byte 0xXX, in place.</summary>
    private static Span<byte> RestoreMarkedBytes(Span<byte> text)
    {
        var write = 0;
        for (var read = 0; read < text.Length; read++)
        {
            if (text[read] == MarkerLead && read + 2 < text.Length && (text[read + 1] & 0xFE) == 0x82)
            {
                // U+E0XX = 1110_1110 10_0000_1x 10_xxxxxx
                text[write++] = (byte)(((text[read + 1] & 0x03) << 6) | (text[read + 2] & 0x3F));
                read += 2;
            }
            else
            {
                text[write++] = text[read];
            }
        }

        return text[..write];
    }

    /// <summary>Rewrites each <c>\uffffffXX</c> into <c>\uE0XX</c> in place and returns the new length.</summary>
    internal static int RewriteHighByteEscapes(Span<byte> line)
    {
        ReadOnlySpan<byte> pattern = "\\uffffff"u8;
        var first = line.IndexOf(pattern);
        if (first < 0)
        {
            return line.Length;
        }

        var write = first;
        var read = first;
        while (read < line.Length)
        {
            if (line[read] == (byte)'\\' && read + 10 <= line.Length && line.Slice(read, 8).SequenceEqual(pattern)
                && IsHex(line[read + 8]) && IsHex(line[read + 9]) && !IsEscaped(line, read))
            {
                line[write++] = (byte)'\\';
                line[write++] = (byte)'u';
                line[write++] = (byte)'E';
                line[write++] = (byte)'0';
                line[write++] = line[read + 8];
                line[write++] = line[read + 9];
                read += 10;
            }
            else
            {
                line[write++] = line[read++];
            }
        }

        return write;
    }

    /// <summary>True when the backslash at <paramref name="index"/> is itself escaped by an odd run of backslashes before it.</summary>
    private static bool IsEscaped(ReadOnlySpan<byte> line, int index)
    {
        var run = 0;
        for (var i = index - 1; i >= 0 && line[i] == (byte)'\\'; i--)
        {
            run++;
        }

        return run % 2 == 1;
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static JsonTokenType Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("truncated record");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Read(ref reader) != type)
        {
            throw new InvalidOperationException("unexpected token");
        }
    }

    private static RecordType Classify(ReadOnlySpan<byte> type) => type switch
    {
        _ when type.SequenceEqual("map"u8) => RecordType.Map,
        _ when type.SequenceEqual("hist"u8) => RecordType.Hist,
        _ when type.SequenceEqual("stats"u8) => RecordType.Stats,
        _ when type.SequenceEqual("printf"u8) => RecordType.Printf,
        _ when type.SequenceEqual("attached_probes"u8) => RecordType.AttachedProbes,
        _ when type.SequenceEqual("lost_events"u8) => RecordType.LostEvents,
        _ when type.SequenceEqual("helper_error"u8) || type.SequenceEqual("runtime_error"u8)
            || type.SequenceEqual("errorf"u8) || type.SequenceEqual("warnf"u8) => RecordType.RuntimeError,
        _ when type.SequenceEqual("time"u8) || type.SequenceEqual("cat"u8) || type.SequenceEqual("join"u8)
            || type.SequenceEqual("value"u8) || type.SequenceEqual("syscall"u8) || type.SequenceEqual("tseries"u8)
            || type.SequenceEqual("benchmark_results"u8) || type.SequenceEqual("test_result"u8) => RecordType.Ignored,
        _ => RecordType.Unknown,
    };

    private enum RecordType
    {
        Unknown,
        Ignored,
        Map,
        Hist,
        Stats,
        Printf,
        AttachedProbes,
        LostEvents,
        RuntimeError,
    }
}
