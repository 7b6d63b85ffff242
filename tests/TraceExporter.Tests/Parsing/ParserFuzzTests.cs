using System.Text;
using System.Text.Json;
using TraceExporter.Parsing;

namespace TraceExporter.Tests.Parsing;

/// <summary>Mutated and random lines from the recorded fixtures: the parser never throws, and every line that is not valid JSON is counted.</summary>
public sealed class ParserFuzzTests
{
    private const int Lines = 120_000;

    [Fact]
    public void A_hundred_thousand_mutated_lines_never_throw_and_every_invalid_one_is_counted()
    {
        var seeds = Fixture.Versions
            .SelectMany(v => Directory.GetFiles(Path.GetDirectoryName(Fixture.PathOf(v, "x"))!, "*.jsonl"))
            .SelectMany(File.ReadAllLines)
            .Where(l => l.StartsWith('{'))
            .Select(Encoding.UTF8.GetBytes)
            .ToArray();
        Assert.NotEmpty(seeds);

        var random = new Random(20261125);
        var parser = new BpftraceJsonParser();
        var invalid = 0;
        for (var i = 0; i < Lines; i++)
        {
            var line = Mutate(seeds[random.Next(seeds.Length)], random);
            var sink = new RecordingSink();

            parser.Parse(line.ToArray(), sink);

            if (line.Length > 0 && line[0] == (byte)'{' && !IsValidJson(line))
            {
                invalid++;
                Assert.True(sink.Errors.Count > 0, $"invalid line not counted: {Encoding.UTF8.GetString(line)}");
            }
        }

        Assert.True(invalid > Lines / 4, $"only {invalid} of {Lines} lines were invalid: the mutations are too weak to test anything");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        switch (random.Next(7))
        {
            case 0: // truncate
                var cut = random.Next(bytes.Count);
                bytes.RemoveRange(cut, bytes.Count - cut);
                break;
            case 1: // flip bytes
                for (var k = random.Next(1, 4); k > 0 && bytes.Count > 0; k--)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                break;
            case 2: // insert JSON punctuation
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    bytes.Insert(random.Next(bytes.Count + 1), "{}[]\",:\\0x-e"u8[random.Next(12)]);
                }

                break;
            case 3: // duplicate a slice
                var start = random.Next(bytes.Count);
                var length = random.Next(bytes.Count - start);
                bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(start, length));
                break;
            case 4: // high bytes and broken escapes, as bpftrace writes them
                bytes.InsertRange(random.Next(bytes.Count + 1), random.Next(3) switch
                {
                    0 => "\\uffffffc3\\uffffffa9"u8.ToArray(),
                    1 => "\\uffffff"u8.ToArray(),
                    _ => [0xC3, 0xFF, 0x80],
                });
                break;
            case 5: // pure random bytes after an opening brace
                var noise = new byte[random.Next(1, 200)];
                random.NextBytes(noise);
                return [(byte)'{', .. noise];
            default: // numbers in hex, as bpftrace ≥0.24 can write them
                var text = Encoding.UTF8.GetString([.. bytes]);
                return Encoding.UTF8.GetBytes(text.Replace(": 1", ": 1a", StringComparison.Ordinal).Replace(": 2", ": 0x2", StringComparison.Ordinal));
        }

        return [.. bytes];
    }

    private static bool IsValidJson(byte[] line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
