using System.Buffers.Text;

namespace TraceExporter.Metrics;

/// <summary>
/// One integer part of a printed map key. u64 values above 2^63 are printed signed by ≤0.23 and unsigned by
/// newer versions (≥0.24 also quotes integers above 2^53, which the parser has already unquoted); both read
/// back to the same 64 bits.
/// </summary>
public static class KeyPart
{
    public static bool TryParse(ReadOnlySpan<byte> text, out ulong value)
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
