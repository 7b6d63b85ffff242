using System.Buffers.Binary;
using System.Text;

namespace TraceExporter.Kernel;

/// <summary>
/// Reads the kernel's own type information (<c>/sys/kernel/btf/vmlinux</c>, raw BTF) to find struct member
/// offsets and enum values on the running kernel, so probe programs need neither headers nor a table
/// written in our code. Only the few kinds of question the probes ask are answered.
/// </summary>
public sealed class KernelBtf
{
    public const string DefaultPath = "/sys/kernel/btf/vmlinux";

    private const int KindInt = 1, KindPtr = 2, KindArray = 3, KindStruct = 4, KindUnion = 5, KindEnum = 6, KindFwd = 7,
        KindTypedef = 8, KindVolatile = 9, KindConst = 10, KindRestrict = 11, KindFunc = 12, KindFuncProto = 13,
        KindVar = 14, KindDatasec = 15, KindFloat = 16, KindDeclTag = 17, KindTypeTag = 18, KindEnum64 = 19;

    private readonly byte[] _data;
    private readonly int _strings;
    private readonly int _stringsLength;
    private readonly List<int> _typeOffsets = [0]; // type id → byte offset of its btf_type; id 0 is void
    private readonly Dictionary<string, List<int>> _byName = new(StringComparer.Ordinal);

    private KernelBtf(byte[] data)
    {
        _data = data;
        if (data.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(data) != 0xEB9F)
        {
            throw new InvalidDataException("not a little-endian raw BTF file (magic 0xEB9F)");
        }

        // struct btf_header: magic u16, version u8, flags u8, hdr_len, type_off, type_len, str_off, str_len
        var headerLength = U32(4);
        var typesStart = headerLength + U32(8);
        var typesLength = U32(12);
        _strings = headerLength + U32(16);
        _stringsLength = U32(20);
        if (typesStart + typesLength > data.Length || _strings + _stringsLength > data.Length)
        {
            throw new InvalidDataException("BTF sections run past the end of the file");
        }

        for (var p = typesStart; p < typesStart + typesLength;)
        {
            var id = _typeOffsets.Count;
            _typeOffsets.Add(p);

            // Only the kinds we look up by name are indexed: most of the kernel's ~150,000 types are
            // functions, pointers and the like, and a name for each would cost tens of MB for nothing.
            var kind = (U32(p + 4) >> 24) & 0x1F;
            var name = kind is KindStruct or KindUnion or KindEnum or KindEnum64 ? Name(U32(p)) : "";
            if (name.Length > 0)
            {
                if (!_byName.TryGetValue(name, out var ids))
                {
                    _byName[name] = ids = [];
                }

                ids.Add(id);
            }

            p += 12 + TrailerLength(p);
        }
    }

    public static KernelBtf Load(string path = DefaultPath) => new(File.ReadAllBytes(path));

    public static KernelBtf Parse(byte[] data) => new(data);

    /// <summary>
    /// The byte offset of <paramref name="member"/> (dotted for nested members, e.g. <c>__sk_common.skc_net</c>)
    /// inside <c>struct <paramref name="structName"/></c>, looking through anonymous structs and unions; null when absent.
    /// </summary>
    public int? MemberOffset(string structName, string member)
    {
        foreach (var id in TypesNamed(structName))
        {
            if (Kind(id) is KindStruct or KindUnion && Vlen(id) > 0)
            {
                var offset = 0;
                var current = id;
                var found = true;
                foreach (var part in member.Split('.'))
                {
                    if (FindMember(current, part) is not { } hit)
                    {
                        found = false;
                        break;
                    }

                    offset += hit.Offset;
                    current = Resolve(hit.Type);
                }

                if (found)
                {
                    return offset;
                }
            }
        }

        return null;
    }

    /// <summary>The values of <c>enum <paramref name="enumName"/></c> by number; null when the kernel has no such enum.</summary>
    public IReadOnlyDictionary<long, string>? EnumValues(string enumName)
    {
        foreach (var id in TypesNamed(enumName))
        {
            var kind = Kind(id);
            if (kind is not (KindEnum or KindEnum64))
            {
                continue;
            }

            var values = new Dictionary<long, string>();
            var p = _typeOffsets[id] + 12;
            var signed = (U32(_typeOffsets[id] + 4) & 0x8000_0000) != 0;
            for (var i = 0; i < Vlen(id); i++)
            {
                var name = Name(U32(p));
                long value = kind == KindEnum
                    ? signed ? BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(p + 4)) : (uint)U32(p + 4)
                    : (long)(((ulong)(uint)U32(p + 8) << 32) | (uint)U32(p + 4));
                values.TryAdd(value, name);
                p += kind == KindEnum ? 8 : 12;
            }

            return values;
        }

        return null;
    }

    private List<int> TypesNamed(string name) =>
        _byName.TryGetValue(name, out var ids) ? ids : [];

    private (int Offset, int Type)? FindMember(int structId, string name)
    {
        if (Kind(structId) is not (KindStruct or KindUnion))
        {
            return null;
        }

        var bitfieldFlag = (U32(_typeOffsets[structId] + 4) & 0x8000_0000) != 0;
        var p = _typeOffsets[structId] + 12;
        for (var i = 0; i < Vlen(structId); i++, p += 12)
        {
            var memberName = Name(U32(p));
            var type = U32(p + 4);
            var bits = U32(p + 8);
            var offset = (bitfieldFlag ? bits & 0xFFFFFF : bits) / 8;
            if (memberName == name)
            {
                return (offset, type);
            }

            if (memberName.Length == 0 && FindMember(Resolve(type), name) is { } inner)
            {
                return (offset + inner.Offset, inner.Type);
            }
        }

        return null;
    }

    /// <summary>Follows typedefs and qualifiers to the type they name.</summary>
    private int Resolve(int id)
    {
        for (var guard = 0; guard < 32 && id > 0 && id < _typeOffsets.Count; guard++)
        {
            if (Kind(id) is not (KindTypedef or KindVolatile or KindConst or KindRestrict or KindTypeTag))
            {
                return id;
            }

            id = U32(_typeOffsets[id] + 8);
        }

        return id;
    }

    private int TrailerLength(int p)
    {
        var info = U32(p + 4);
        var vlen = info & 0xFFFF;
        return ((info >> 24) & 0x1F) switch
        {
            KindInt or KindVar or KindDeclTag => 4,
            KindArray => 12,
            KindStruct or KindUnion or KindDatasec or KindEnum64 => 12 * vlen,
            KindEnum or KindFuncProto => 8 * vlen,
            KindPtr or KindFwd or KindTypedef or KindVolatile or KindConst or KindRestrict or KindFunc or KindFloat or KindTypeTag => 0,
            var kind => throw new InvalidDataException($"unknown BTF kind {kind}"),
        };
    }

    private int Kind(int id) => (U32(_typeOffsets[id] + 4) >> 24) & 0x1F;

    private int Vlen(int id) => U32(_typeOffsets[id] + 4) & 0xFFFF;

    private int U32(int offset) => BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(offset));

    private string Name(int offset)
    {
        if (offset <= 0 || offset >= _stringsLength)
        {
            return "";
        }

        var span = _data.AsSpan(_strings + offset);
        var end = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
    }
}
