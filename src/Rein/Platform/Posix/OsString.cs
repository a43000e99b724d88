using System.Text;

namespace Rein.Platform.Posix;

/// <summary>
/// The bytes the OS passes (arguments, environment entries) held in .NET strings without loss, as Python's
/// <c>os.fsdecode</c> does (its <c>surrogateescape</c> handler): valid UTF-8 decodes as usual, and each byte that is
/// not part of valid UTF-8 becomes the lone surrogate U+DC80+byte (0x80-0xFF), which no valid text contains.
/// Encoding turns such a lone surrogate back into its byte, so <c>$'caf\xe9'</c> reaches the command as the four
/// bytes it was, where .NET's own decoding would have made it <c>caf\uFFFD</c> for good.
/// A library host builds such a string from bytes with <see cref="FromBytes"/>.
/// </summary>
public static class OsString
{
    const char EscapeBase = '\uDC00';

    /// <summary>Bytes from the OS as a string: valid UTF-8 as text, every other byte as U+DC80+byte.</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (
                Rune.DecodeFromUtf8(bytes, out var rune, out var used)
                == System.Buffers.OperationStatus.Done
            )
            {
                sb.Append(rune.ToString());
                bytes = bytes[used..];
            }
            else
            {
                sb.Append((char)(EscapeBase + bytes[0])); // always >= 0x80: ASCII is valid UTF-8
                bytes = bytes[1..];
            }
        }

        return sb.ToString();
    }

    /// <summary>The bytes a string stands for: UTF-8, with each escaped byte (a lone U+DC80-U+DCFF) as itself. Any
    /// other lone surrogate is encoded as UTF-8 encodes it (U+FFFD).</summary>
    public static byte[] ToBytes(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsEscapedByte(text, i))
            {
                bytes.Add((byte)(c - EscapeBase));
                continue;
            }

            var rune =
                char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                    ? new Rune(c, text[++i])
                : char.IsSurrogate(c) ? Rune.ReplacementChar
                : new Rune(c);
            var n = rune.EncodeToUtf8(buffer);
            for (var k = 0; k < n; k++)
            {
                bytes.Add(buffer[k]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Whether <c>text[i]</c> stands for a raw byte: a low surrogate U+DC80-U+DCFF that does not complete a
    /// pair.</summary>
    public static bool IsEscapedByte(string text, int i) =>
        text[i] is >= '\uDC80' and <= '\uDCFF' && (i == 0 || !char.IsHighSurrogate(text[i - 1]));

    /// <summary>Whether the string holds any raw byte.</summary>
    public static bool HasEscapedBytes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsEscapedByte(text, i))
            {
                return true;
            }
        }

        return false;
    }
}
