namespace Rein.Platform.MacOS;

// Marks on constants whose values come from Apple's headers. They cost nothing at run time; the test suite reads
// them (tests/Rein.Tests/Platform/Apple) and has Zig's C compiler check each one against the real macOS headers
// for aarch64-macos and x86_64-macos. A constant rein uses on macOS without such a mark is unchecked.

/// <summary>The constant equals the C expression <see cref="Expression"/> (a macro; the field's name when
/// omitted) in Apple's headers. On a class: every const field of it, by name.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Class, AllowMultiple = true)]
internal sealed class AppleMacroAttribute(string? expression = null) : Attribute
{
    public string? Expression { get; } = expression;
}

/// <summary>The constant is <c>offsetof(Type, Field)</c>; with <see cref="Width"/> &gt; 0, the field is also that
/// many bytes. <see cref="Arch"/> ("arm64" or "x64") limits the check to one architecture.</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = true)]
internal sealed class AppleOffsetAttribute(string type, string field) : Attribute
{
    public string Type { get; } = type;

    public string Field { get; } = field;

    public int Width { get; init; }

    public string? Arch { get; init; }
}

/// <summary>The constant is <c>sizeof(Type)</c>, or with <see cref="AtLeast"/> a buffer size that must hold it.</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = true)]
internal sealed class AppleSizeAttribute(string type) : Attribute
{
    public string Type { get; } = type;

    public bool AtLeast { get; init; }

    public string? Arch { get; init; }
}

/// <summary>A sequential struct passed to libc by pointer: its size and its fields' offsets (in declaration order,
/// named <see cref="Fields"/>) equal C's <see cref="Type"/>.</summary>
[AttributeUsage(AttributeTargets.Struct)]
internal sealed class AppleStructAttribute(string type, params string[] fields) : Attribute
{
    public string Type { get; } = type;

    public IReadOnlyList<string> Fields { get; } = fields;
}
