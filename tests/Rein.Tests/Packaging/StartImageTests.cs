using System.Buffers.Binary;
using System.Text;
using Rein.Tests.Support;

namespace Rein.Tests.Packaging;

/// <summary>The Linux binary starts without rebuilding its data or relocating its image (issue 21, start path):
/// a position-dependent executable (ELF type EXEC) with no <c>.hydrated</c> section. Either regression roughly
/// doubles a bare start (BENCHMARKS.md); this keeps Rein.Cli.csproj's two properties from being dropped.</summary>
public sealed class StartImageTests
{
    const ushort ExecutableType = 2; // ET_EXEC; a PIE is ET_DYN (3)

    [Fact]
    public void The_binary_is_position_dependent_and_not_dehydrated()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux: Apple platforms are always PIE");
        var image = File.ReadAllBytes(Paths.Rein);
        Assert.True(
            image.AsSpan(0, 4).SequenceEqual((byte[])[0x7f, (byte)'E', (byte)'L', (byte)'F'])
        );

        var sections = SectionNames(image);
        Assert.Multiple(
            () =>
                Assert.Equal(
                    ExecutableType,
                    BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(16))
                ),
            () => Assert.DoesNotContain(".hydrated", sections),
            () => Assert.Contains(".text", sections)
        );
    }

    /// <summary>The section names of a 64-bit little-endian ELF image, from its section header table.</summary>
    static List<string> SectionNames(byte[] image)
    {
        var tableOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(0x28));
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x3A));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x3C));
        int namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(0x3E));
        var namesAt = (int)
            BinaryPrimitives.ReadUInt64LittleEndian(
                image.AsSpan(tableOffset + (namesIndex * entrySize) + 0x18)
            );
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var nameOffset = (int)
                BinaryPrimitives.ReadUInt32LittleEndian(
                    image.AsSpan(tableOffset + (i * entrySize))
                );
            var start = namesAt + nameOffset;
            var end = Array.IndexOf(image, (byte)0, start);
            names.Add(Encoding.ASCII.GetString(image, start, end - start));
        }

        return names;
    }
}
