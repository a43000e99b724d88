using System.Text;
using Rein.Forensics.Classification;

namespace Rein.Tests.Forensics.Classification;

/// <summary>The ring that keeps the last 64 KiB of stderr.</summary>
public sealed class OutputTailTests
{
    [Fact]
    public void Short_output_is_kept_whole()
    {
        var tail = new OutputTail();
        tail.Append("hello "u8);
        tail.Append("world"u8);
        Assert.Equal("hello world", tail.Text());
        Assert.Equal(11, tail.Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(100_000)]
    public void Only_the_last_64_KiB_are_kept_whatever_the_chunk_size(int chunk)
    {
        var all = new StringBuilder();
        for (var i = 0; all.Length < 300_000; i++)
        {
            all.Append($"line {i}\n");
        }

        var bytes = Encoding.ASCII.GetBytes(all.ToString());
        var tail = new OutputTail();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            tail.Append(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
        }

        Assert.Equal(bytes[^OutputTail.Capacity..], tail.Bytes());
        Assert.Equal(bytes.Length, tail.Total);
    }
}
