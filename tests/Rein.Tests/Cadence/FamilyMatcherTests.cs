using Rein.Cadence;

namespace Rein.Tests.Cadence;

/// <summary>The built-in gemma-4 family: vendor mlx-community, unsloth or mlx-models, and a name matching
/// <c>^gemma-4-(\d+b|e\d+b)-[a-z0-9-]*$</c>, case-insensitively as hub ids are.</summary>
public sealed class FamilyMatcherTests
{
    static ModelFamily Gemma4 =>
        Assert.Single(CadencePolicy.BuiltInFamilies, f => f.Name == "gemma-4");

    [Theory]
    // Real sizes.
    [InlineData("mlx-community/gemma-4-1b-it-4bit", true)]
    [InlineData("mlx-community/gemma-4-4b-it-bf16", true)]
    [InlineData("mlx-community/gemma-4-12b-it-qat-4bit", true)]
    [InlineData("mlx-community/gemma-4-27b-it-8bit", true)]
    [InlineData("mlx-community/gemma-4-31b-it-8bit", true)]
    // e-variants ("effective" sizes).
    [InlineData("unsloth/gemma-4-e4b-it", true)]
    [InlineData("unsloth/gemma-4-e2b-it-4bit", true)]
    // Mixture-of-experts suffixes.
    [InlineData("mlx-models/gemma-4-26b-a4b-it", true)]
    [InlineData("mlx-community/gemma-4-26b-a4b-it-4bit", true)]
    // Case variants: hub ids are case-insensitive.
    [InlineData("MLX-Community/Gemma-4-31B-IT-8bit", true)]
    [InlineData("UNSLOTH/GEMMA-4-E4B-IT", true)]
    [InlineData("unsloth/gemma-4-e4b-it-GGUF", true)]
    // Negatives from the issue.
    [InlineData("google/gemma-4-31b", false)]
    [InlineData("mlx-community/gemma-4b-it", false)]
    [InlineData("mlx-community/gemma-5-9b-it", false)]
    // Other vendors, other generations, other names that contain the family's.
    [InlineData("google/gemma-4-31b-it", false)]
    [InlineData("lmstudio-community/gemma-4-31b-it-8bit", false)]
    [InlineData("mlx-community/gemma-3-27b-it-4bit", false)]
    [InlineData("mlx-community/codegemma-4-7b-it", false)]
    [InlineData("mlx-community/recurrentgemma-4-2b-it", false)]
    [InlineData("gemma-4-31b-it", false)]
    // The pattern wants a size, then a suffix of letters, digits and dashes.
    [InlineData("mlx-community/gemma-4-31b", false)]
    [InlineData("mlx-community/gemma-4-31b-it_8bit", false)]
    [InlineData("mlx-community/gemma-4-xl-it", false)]
    [InlineData("mlx-community/gemma-4-e4-it", false)]
    public void Gemma_4_family_membership(string id, bool member) =>
        Assert.Equal(member, Gemma4.Matches(id));

    [Fact]
    public void Gemma_4_floor_is_90_seconds_and_built_in()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), Gemma4.Floor);
        Assert.Equal("built-in", Gemma4.Source);
    }

    [Theory]
    [InlineData("mlx-community/gemma-4-31b-it-8bit", "mlx-community", "gemma-4-31b-it-8bit")]
    [InlineData("gemma-4-31b-it", "", "gemma-4-31b-it")]
    [InlineData(
        "/models/hub/mlx-community/gemma-4-31b-it-8bit/",
        "mlx-community",
        "gemma-4-31b-it-8bit"
    )]
    public void Ids_split_into_vendor_and_name(string id, string vendor, string name) =>
        Assert.Equal((vendor, name), ModelId.Split(id));
}
