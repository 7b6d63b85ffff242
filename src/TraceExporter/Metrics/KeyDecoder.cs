using System.Buffers.Text;
using System.Globalization;
using System.Text;
using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Metrics;

/// <summary>
/// Reads a printed map key back into label values, for every probe alike. bpftrace joins key parts with ','
/// and no brackets; integer parts are read from both ends, so the one string part may itself contain commas.
/// Each label's kind says what its parts are (see <see cref="LabelKind"/>).
/// </summary>
public sealed class KeyDecoder
{
    public const string UnknownInterface = "unknown";
    public const string EphemeralPort = "ephemeral";
    private readonly IReadOnlyList<LabelConfig> _labels;
    private readonly int[] _slots;
    private readonly int _names;
    private readonly DropReasonTable? _dropReasons;
    private readonly PortRange? _ephemeral;
    private readonly CgroupNames? _cgroups;
    private readonly bool _stringsEscapedTwice;

    /// <param name="stringsEscapedTwice">bpftrace 0.22–0.23 escape string keys a second time.</param>
    /// <param name="cgroups">Resolves a <see cref="LabelKind.Cgroup"/> part; without it such a part reads as unresolved.</param>
    public KeyDecoder(IReadOnlyList<LabelConfig> labels, DropReasonTable? dropReasons, bool stringsEscapedTwice, PortRange? ephemeralPorts = null, CgroupNames? cgroups = null)
    {
        _labels = labels;
        _dropReasons = dropReasons;
        _stringsEscapedTwice = stringsEscapedTwice;
        _ephemeral = ephemeralPorts;
        _cgroups = cgroups;
        _slots = new int[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            _slots[i] = _names;
            _names += labels[i].Names.Count;
        }
    }

    public static bool EscapesStringKeysTwice(Version bpftrace) => bpftrace >= new Version(0, 22) && bpftrace < new Version(0, 24);

    public bool TryDecode(ReadOnlySpan<byte> key, out string[] values) => TryDecode(key, out values, out _);

    /// <summary>
    /// The label values of <paramref name="key"/>, one per label name; <paramref name="cgroup"/> is the key's cgroup
    /// id (null without a cgroup part) and whether it resolved.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> key, out string[] values, out (ulong Id, bool Resolved)? cgroup)
    {
        values = new string[_names];
        cgroup = null;
        if (_labels.Count == 0)
        {
            return key.IsEmpty;
        }

        // Split from the left up to the string label, and from the right back to it.
        var textIndex = -1;
        for (var i = 0; i < _labels.Count; i++)
        {
            if (_labels[i].Kind == LabelKind.Text)
            {
                textIndex = i;
            }
        }

        var rest = key;
        var end = textIndex < 0 ? _labels.Count : textIndex;
        Span<ulong> numbers = stackalloc ulong[2];
        for (var i = 0; i < end; i++)
        {
            if (!TakeLeft(ref rest, _labels[i], numbers))
            {
                return false;
            }

            Render(_labels[i], numbers, values, _slots[i], ref cgroup);
        }

        if (textIndex < 0)
        {
            return rest.IsEmpty;
        }

        for (var i = _labels.Count - 1; i > textIndex; i--)
        {
            if (!TakeRight(ref rest, _labels[i], numbers))
            {
                return false;
            }

            Render(_labels[i], numbers, values, _slots[i], ref cgroup);
        }

        values[_slots[textIndex]] = DecodeText(rest);
        return true;
    }

    private static bool TakeLeft(ref ReadOnlySpan<byte> rest, LabelConfig label, scoped Span<ulong> numbers)
    {
        for (var p = 0; p < label.KeyParts; p++)
        {
            var comma = rest.IndexOf((byte)',');
            var part = comma < 0 ? rest : rest[..comma];
            rest = comma < 0 ? [] : rest[(comma + 1)..];
            if (!KeyPart.TryParse(part, out numbers[p]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TakeRight(ref ReadOnlySpan<byte> rest, LabelConfig label, scoped Span<ulong> numbers)
    {
        for (var p = label.KeyParts - 1; p >= 0; p--)
        {
            var comma = rest.LastIndexOf((byte)',');
            if (comma < 0 || !KeyPart.TryParse(rest[(comma + 1)..], out numbers[p]))
            {
                return false;
            }

            rest = rest[..comma];
        }

        return true;
    }

    private void Render(LabelConfig label, ReadOnlySpan<ulong> numbers, string[] values, int slot, ref (ulong Id, bool Resolved)? cgroup)
    {
        if (label.Kind != LabelKind.Cgroup)
        {
            values[slot] = Render(label, numbers);
            return;
        }

        var resolved = false;
        var names = CgroupNames.Unresolved;
        if (_cgroups is not null)
        {
            resolved = _cgroups.TryGet(numbers[0], out names);
        }

        cgroup = (numbers[0], resolved);
        for (var n = 0; n < label.CgroupLabels.Count; n++)
        {
            values[slot + n] = label.CgroupLabels[n] switch
            {
                "cgroup" => names.Cgroup,
                "unit" => names.Unit,
                "container_id" => names.ContainerId,
                _ => names.PodUid,
            };
        }
    }

    private string Render(LabelConfig label, ReadOnlySpan<ulong> numbers) => label.Kind switch
    {
        LabelKind.PackedName => LabelText.FromPackedName(numbers[0], numbers[1]),
        LabelKind.Interface => numbers[0] == 0 && numbers[1] == 0 ? UnknownInterface : LabelText.FromPackedName(numbers[0], numbers[1]) is { Length: > 0 } name ? name : UnknownInterface,
        LabelKind.DropReason => _dropReasons?.NameOf((long)numbers[0]) ?? ((long)numbers[0]).ToString(CultureInfo.InvariantCulture),
        LabelKind.Port when _ephemeral is { } range && range.Contains((long)numbers[0]) => EphemeralPort,
        _ => ((long)numbers[0]).ToString(CultureInfo.InvariantCulture),
    };

    private string DecodeText(ReadOnlySpan<byte> text)
    {
        if (_stringsEscapedTwice && text.IndexOf((byte)'\\') >= 0)
        {
            text = Unescape(text);
        }

        return LabelText.FromBytes(text);
    }

    /// <summary>Undoes the second JSON-style escape of 0.22–0.23 (<c>\\</c>, <c>\"</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\uffffffXX</c>).</summary>
    private static byte[] Unescape(ReadOnlySpan<byte> text)
    {
        var result = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != (byte)'\\' || i + 1 >= text.Length)
            {
                result.Add(text[i]);
                continue;
            }

            var next = text[++i];
            switch (next)
            {
                case (byte)'n': result.Add((byte)'\n'); break;
                case (byte)'t': result.Add((byte)'\t'); break;
                case (byte)'r': result.Add((byte)'\r'); break;
                case (byte)'u' when i + 8 < text.Length && text.Slice(i + 1, 6).SequenceEqual("ffffff"u8)
                    && Utf8Parser.TryParse(text.Slice(i + 7, 2), out byte b, out _, 'x'):
                    result.Add(b);
                    i += 8;
                    break;
                case (byte)'u' when i + 4 < text.Length && Utf8Parser.TryParse(text.Slice(i + 1, 4), out ushort c, out _, 'x'):
                    result.AddRange(Encoding.UTF8.GetBytes(((char)c).ToString()));
                    i += 4;
                    break;
                default: result.Add(next); break;
            }
        }

        return [.. result];
    }
}
