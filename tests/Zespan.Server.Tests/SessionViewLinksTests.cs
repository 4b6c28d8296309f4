using Zespan.Server.Components.Navigation;

namespace Zespan.Server.Tests;

/// <summary>Links to the session page's views, and a session named after the compare page still reaches its own page.</summary>
public sealed class SessionViewLinksTests
{
    [Theory]
    [InlineData("conv-1", "transcript", "/sessions/conv-1?view=transcript")]
    [InlineData("org/7 #1", "timeline", "/sessions/by-id?id=org%2F7%20%231&view=timeline")]
    [InlineData("compare", "transcript", "/sessions/by-id?id=compare&view=transcript")]
    public void SessionView_CarriesTheIdExactlyAndTheView(string id, string view, string expected) =>
        Assert.Equal(expected, IdLinks.Session(id, view));

    [Fact]
    public void ASessionCalledCompare_IsLinkedInTheQueryForm_NotToTheComparePage() =>
        Assert.Equal("/sessions/by-id?id=compare", IdLinks.Session("compare"));
}
