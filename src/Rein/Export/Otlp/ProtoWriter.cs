using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rein.Export.Otlp;

/// <summary>Protocol Buffers' wire format, the five encodings OTLP's trace messages use. A message field is written
/// from a finished inner writer (its length is known then).</summary>
internal sealed class ProtoWriter
{
    readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    void WriteByte(byte b) => _buffer.Write([b]);

    void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        WriteByte((byte)value);
    }

    void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    /// <summary>A varint field (int32, int64, uint32, enum, bool): negative numbers take ten bytes, as protobuf's
    /// int64 does.</summary>
    public void Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
    }

    public void Fixed64(int field, ulong value)
    {
        Tag(field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(b);
    }

    /// <summary>A packed repeated fixed64 (or double, as its bits) field.</summary>
    public void Packed64(int field, IEnumerable<ulong> values)
    {
        var packed = new ProtoWriter();
        Span<byte> b = stackalloc byte[8];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b, v);
            packed.Write(b);
        }

        Message(field, packed);
    }

    public void Double(int field, double value) =>
        Fixed64(field, BitConverter.DoubleToUInt64Bits(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, ProtoWriter inner) => Bytes(field, inner._buffer.WrittenSpan);
}
