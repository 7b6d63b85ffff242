using System.Text;

namespace TraceExporter.Metrics;

/// <summary>
/// Turns the raw bytes of a kernel name into a label value: exact where the bytes are UTF-8 (spaces,
/// quotes, commas, backslashes, é …), and each byte that is not valid UTF-8 written as <c>\xNN</c>,
/// since Prometheus label values must be UTF-8.
/// </summary>
public static class LabelText
{
    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        if (end >= 0)
        {
            bytes = bytes[..end];
        }

        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                consumed = 1;
                text.Append("\\x").Append(bytes[0].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The 16 bytes of two little-endian u64 (how the probes read comm and device names).</summary>
    public static string FromPackedName(ulong low, ulong high)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, low);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], high);
        return FromBytes(bytes);
    }
}
