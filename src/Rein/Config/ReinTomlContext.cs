using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Rein.Config;

/// <summary>Source-generated TOML metadata: rein.toml is read as an untyped table without reflection (NativeAOT).</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class ReinTomlContext : TomlSerializerContext { }
