using System.Buffers.Text;

namespace TraceExporter.Metrics;

/// <summary>
/// A map key of up to two integers, as bpftrace prints numeric keys: <c>"5"</c> or <c>"a,b"</c>. u64 values
/// above 2^63 are printed signed by ≤0.23 and unsigned by newer versions; both read back to the same bits.
/// </summary>
public readonly record struct NumericKey(ulong First, ulong Second)
{
    public static bool TryParse(ReadOnlySpan<byte> text, out NumericKey key)
    {
        key = default;
        var comma = text.IndexOf((byte)',');
        if (comma < 0)
        {
            if (!TryParsePart(text, out var only))
            {
                return false;
            }

            key = new NumericKey(only, 0);
            return true;
        }

        if (!TryParsePart(text[..comma], out var first) || !TryParsePart(text[(comma + 1)..], out var second))
        {
            return false;
        }

        key = new NumericKey(first, second);
        return true;
    }

    /// <summary>One integer part, signed (≤0.23 prints u64 above 2^63 negative) or unsigned, as its 64 bits.</summary>
    internal static bool TryParsePart(ReadOnlySpan<byte> text, out ulong value)
    {
        text = text.Trim((byte)' ');
        if (!text.IsEmpty && text[0] == (byte)'-')
        {
            var ok = Utf8Parser.TryParse(text, out long signed, out var used) && used == text.Length;
            value = unchecked((ulong)signed);
            return ok;
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }
}
