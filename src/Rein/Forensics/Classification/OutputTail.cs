using System.Text;

namespace Rein.Forensics.Classification;

/// <summary>The last <see cref="Capacity"/> bytes of a stream, in a ring: the relay copies what it reads here before
/// passing it on unchanged, and the classifier reads the tail once the run is over. Never grows, never blocks.</summary>
public sealed class OutputTail
{
    public const int Capacity = 64 * 1024;

    readonly byte[] _ring = new byte[Capacity];
    int _next;
    long _total;

    /// <summary>Every byte ever appended (the tail holds the last <see cref="Capacity"/> of them).</summary>
    public long Total => _total;

    public void Append(ReadOnlySpan<byte> data)
    {
        _total += data.Length;
        if (data.Length >= Capacity)
        {
            data[^Capacity..].CopyTo(_ring);
            _next = 0;
            return;
        }

        var first = Math.Min(data.Length, Capacity - _next);
        data[..first].CopyTo(_ring.AsSpan(_next));
        data[first..].CopyTo(_ring);
        _next = (_next + data.Length) % Capacity;
    }

    /// <summary>The tail in order, as bytes.</summary>
    public byte[] Bytes()
    {
        if (_total < Capacity)
        {
            return _ring[.._next];
        }

        return [.. _ring[_next..], .. _ring[.._next]];
    }

    /// <summary>The tail as text (invalid UTF-8, such as a character cut at the start, becomes U+FFFD).</summary>
    public string Text() => Encoding.UTF8.GetString(Bytes());
}
