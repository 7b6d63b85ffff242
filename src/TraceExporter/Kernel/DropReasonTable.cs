using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceExporter.Kernel;

/// <summary>
/// Drop reason numbers → names as the running kernel defines them. Reasons are inserted between kernel
/// versions, so the table is always built on the host: from the <c>skb:kfree_skb</c> format file, else BTF.
/// </summary>
public sealed partial class DropReasonTable
{
    private const string BtfPrefix = "SKB_DROP_REASON_";
    private readonly IReadOnlyDictionary<long, string> _names;

    public DropReasonTable(IReadOnlyDictionary<long, string> names, string source)
    {
        _names = names;
        Source = source;
    }

    /// <summary>Where the names came from, for the log.</summary>
    public string Source { get; }

    public int Count => _names.Count;

    /// <summary>The kernel's name without the <c>SKB_DROP_REASON_</c> prefix, or the number itself when unknown.</summary>
    public string NameOf(long reason) =>
        _names.TryGetValue(reason, out var name) ? name : reason.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads <c>__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)</c> from a tracepoint format file's text.</summary>
    public static DropReasonTable? FromFormatFile(string formatText, string source)
    {
        var start = formatText.IndexOf("__print_symbolic(REC->reason", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var names = new Dictionary<long, string>();
        foreach (Match m in SymbolPair().Matches(formatText, start))
        {
            var number = m.Groups[1].Value;
            var value = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? long.Parse(number.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : long.Parse(number, CultureInfo.InvariantCulture);
            names.TryAdd(value, m.Groups[2].Value);
        }

        return names.Count == 0 ? null : new DropReasonTable(names, source);
    }

    public static DropReasonTable? FromBtf(KernelBtf btf)
    {
        if (btf.EnumValues("skb_drop_reason") is not { } values)
        {
            return null;
        }

        var names = values.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.StartsWith(BtfPrefix, StringComparison.Ordinal) ? kv.Value[BtfPrefix.Length..] : kv.Value);
        return new DropReasonTable(names, "BTF enum skb_drop_reason");
    }

    [GeneratedRegex("""\{\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*"([^"]*)"\s*\}""")]
    private static partial Regex SymbolPair();
}
