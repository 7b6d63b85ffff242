using System.Text;

namespace TraceExporter.Tests.Configuration;

/// <summary>
/// Derives broken configurations from working ones, reproducibly from a seed: lines deleted, duplicated,
/// swapped or re-indented; characters deleted or inserted; YAML syntax, huge numbers, odd unicode, deep
/// nesting, aliases and complex keys inserted; values replaced by strange ones.
/// </summary>
public sealed class ConfigMutator(IReadOnlyList<string> seeds, int seed)
{
    private static readonly string[] Syntax = ["[", "]", "{", "}", ":", ",", "-", "#", "&a", "*a", "!", "|", ">", "'", "\"", "%", "@", "?", "\t", "\n", " ", "---\n", "...\n", "<<: *a\n"];

    private static readonly string[] Values =
    [
        "99999999999999999999", "-1", "0", "1e400", "NaN", ".inf", "999999999h", "1d", "0.0000000001s", "''", "\"\"", "~", "null",
        "[]", "{}", "[[[[[[]]]]]]", "true", "yes", "0x10", "é", "\u2028", "\uFEFF", "𝔘𝔫𝔦", "\u0000", "\u001b[31m", "a\\nb",
        "|\n  block\n", "&x [1, 2]", "*x", "!!binary aGk=", "!tag x", "? [a]\n: b", "{a: 1, a: 2}", "/dev/zero", "/proc/self/fd/0",
        "strace", "bpftrace", "\"@x\"", "@x", "histogram", "summary", "packed_name", "drop_reason", "le", "quantile", "process_x_total",
    ];

    private readonly Random _random = new(seed);

    public string Next()
    {
        var text = seeds[_random.Next(seeds.Count)];
        var mutations = 1 + _random.Next(3);
        for (var i = 0; i < mutations; i++)
        {
            text = Mutate(text);
        }

        return text;
    }

    /// <summary>The text as UTF-8 (a surrogate cut in half becomes U+FFFD); one file in 50 also gets a byte that is not UTF-8.</summary>
    public byte[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (_random.Next(50) != 0)
        {
            return bytes;
        }

        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], (byte)_random.Next(0x80, 0x100), .. bytes[at..]];
    }

    private string Mutate(string text)
    {
        var lines = text.Split('\n').ToList();
        var at = _random.Next(Math.Max(1, lines.Count));
        switch (_random.Next(14))
        {
            case 0 when lines.Count > 1:
                lines.RemoveAt(at);
                break;
            case 1:
                lines.Insert(at, lines[at]);
                break;
            case 2:
                var other = _random.Next(lines.Count);
                (lines[at], lines[other]) = (lines[other], lines[at]);
                break;
            case 3:
                lines[at] = _random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                break;
            case 4 when text.Length > 0:
                var start = _random.Next(text.Length);
                return text.Remove(start, Math.Min(1 + _random.Next(4), text.Length - start));
            case 5:
                return text.Insert(_random.Next(text.Length + 1), Syntax[_random.Next(Syntax.Length)]);
            case 6:
                return ReplaceValue(lines, at, Values[_random.Next(Values.Length)]);
            case 7:
                return text.Insert(_random.Next(text.Length + 1), new string('[', 1 + _random.Next(200)));
            case 8:
                var depth = 1 + _random.Next(80);
                lines.Insert(at, "deep: " + new string('[', depth) + new string(']', depth));
                break;
            case 9:
                return ReplaceValue(lines, at, _random.Next(2) == 0 ? new string('9', 1 + _random.Next(400)) : _random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
            case 10:
                return text.Insert(_random.Next(text.Length + 1), char.ConvertFromUtf32(_random.Next(2) == 0 ? _random.Next(0x20, 0xD7FF) : _random.Next(0x10000, 0x10FFFF)));
            case 11:
                lines.Insert(at, new[] { "  - name: x\n    kind: strace\n    target: { pid: 1 }", "? [a]\n: 1", "a: &a {b: *a}", "probes: *a", "  - &p { name: y }\n  - *p" }[_random.Next(5)]);
                break;
            case 12 when text.Length > 0:
                var from = _random.Next(text.Length);
                return new StringBuilder(text).Replace(" ", "", from, Math.Min(40, text.Length - from)).ToString();
            default:
                var line = lines[at];
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                lines[at] = colon > 0 ? line[..colon] + "_x" + line[colon..] : line + ":";
                break;
        }

        return string.Join('\n', lines);
    }

    private static string ReplaceValue(List<string> lines, int at, string value)
    {
        var line = lines[at];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        lines[at] = colon > 0 ? line[..(colon + 2)] + value : line + " " + value;
        return string.Join('\n', lines);
    }
}
