using System.ComponentModel;
using Cutover.Core.Rollout;
using Cutover.Core.Text;

namespace Cutover.Core.Tests.Text;

public sealed class EnumNameConverterTests
{
    [Fact]
    public void Names_LowerSnakeCaseInDeclarationOrder()
    {
        Assert.Equal(["manual", "auto"], EnumNameConverter<RolloutMode>.Names);
        Assert.Equal(["zero", "step_back"], EnumNameConverter<CriticalAction>.Names);
    }

    [Theory]
    [InlineData("manual", RolloutMode.Manual)]
    [InlineData("auto", RolloutMode.Auto)]
    public void TryParse_DocumentedName_TheMember(string name, RolloutMode expected)
    {
        Assert.True(EnumNameConverter<RolloutMode>.TryParse(name, out var mode));
        Assert.Equal(expected, mode);
        Assert.Equal(name, EnumNameConverter<RolloutMode>.NameOf(mode));
    }

    [Theory]
    [InlineData("Auto")]
    [InlineData("AUTO")]
    [InlineData(" auto")]
    [InlineData("1")]
    [InlineData("manual, auto")]
    [InlineData("StepBack")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnythingButTheExactName_Refused(string? name)
    {
        // The framework's EnumConverter takes other cases, numbers and comma lists; the configuration never did.
        Assert.False(EnumNameConverter<RolloutMode>.TryParse(name, out _));
        Assert.False(EnumNameConverter<CriticalAction>.TryParse(name, out _));
    }

    [Fact]
    public void TypeDescriptor_CoreModes_UseTheConverter()
    {
        var converter = TypeDescriptor.GetConverter(typeof(CriticalAction));

        Assert.Equal(CriticalAction.StepBack, converter.ConvertFromInvariantString("step_back"));
        Assert.Equal("step_back", converter.ConvertToInvariantString(CriticalAction.StepBack));
        var refused = Assert.Throws<FormatException>(() => converter.ConvertFromInvariantString("rollback"));
        Assert.Equal("'rollback' is not one of zero, step_back", refused.Message);
        Assert.Equal([CriticalAction.Zero, CriticalAction.StepBack], converter.GetStandardValues()!.Cast<CriticalAction>());
    }

    [Fact]
    public void NameOf_ValueNoMemberHas_ItsNumber()
    {
        Assert.Equal("7", EnumNameConverter<RolloutMode>.NameOf((RolloutMode)7));
    }
}
