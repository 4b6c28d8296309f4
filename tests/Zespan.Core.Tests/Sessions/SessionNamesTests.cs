using Zespan.Core.Sessions;

namespace Zespan.Core.Tests.Sessions;

public class SessionNamesTests
{
    [Theory]
    [InlineData("""[{"role":"system","content":"You are terse."},{"role":"user","content":"Where is my order #42?"}]""", "Where is my order #42?")]
    [InlineData("""{"messages":[{"role":"user","content":[{"type":"text","text":"Describe"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"this picture"}]}]}""", "Describe this picture")]
    [InlineData("\"Plain prompt\"", "Plain prompt")]
    [InlineData("""{"input":"Responses API input"}""", "Responses API input")]
    [InlineData("""[{"role":"assistant","content":"Hi"}]""", null)]
    [InlineData("""[{"role":"user","content":"   "}]""", null)]
    [InlineData("not json", null)]
    [InlineData(null, null)]
    public void FirstUserMessage_IsFoundInTheCommonInputShapes(string? input, string? expected) =>
        Assert.Equal(expected, SessionNames.FirstUserMessage(input));

    [Fact]
    public void Shorten_CollapsesWhitespace_AndCutsAtEightyCharactersWithAnEllipsis()
    {
        Assert.Equal("a b c", SessionNames.Shorten("  a\n\n b\t c  "));
        var long_ = SessionNames.Shorten(new string('x', 200))!;
        Assert.Equal(80, long_.Length);
        Assert.EndsWith("…", long_);
        Assert.Equal(new string('y', 80), SessionNames.Shorten(new string('y', 80)));
        Assert.Null(SessionNames.Shorten(" \n "));
        // A surrogate pair at the cut is never split.
        var emoji = SessionNames.Shorten(new string('z', 78) + "😀😀😀")!;
        Assert.False(char.IsHighSurrogate(emoji[^2]) && emoji[^1] == '…');
    }

    [Fact]
    public void ExplicitNames_BeatDerivedOnes_ThenTheEarliestCallWins()
    {
        Assert.True(SessionNames.Beats(true, 500, "b", false, 100, "a"));
        Assert.False(SessionNames.Beats(false, 100, "a", true, 500, "b"));
        Assert.True(SessionNames.Beats(false, 100, "b", false, 200, "a"));
        Assert.True(SessionNames.Beats(false, 100, "a", false, 100, "b"));
    }
}
