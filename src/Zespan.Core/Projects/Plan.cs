namespace Zespan.Core.Projects;

/// <summary>The plans an organisation can be on. Session tracking is on every plan; plans differ in how long data is kept.</summary>
public enum Plan { Free, Solo, Pro, Team, Scale }

/// <summary>How long each plan keeps spans, sessions and traces.</summary>
public static class PlanRetention
{
    public static int Days(Plan plan) => plan switch
    {
        Plan.Free => 14,
        Plan.Solo => 30,
        Plan.Pro => 90,
        Plan.Team => 180,
        Plan.Scale => 365,
        _ => throw new ArgumentOutOfRangeException(nameof(plan)),
    };

    public static TimeSpan Window(Plan plan) => TimeSpan.FromDays(Days(plan));

    public static bool TryParse(string? text, out Plan plan) =>
        Enum.TryParse(text, ignoreCase: true, out plan) && Enum.IsDefined(plan);
}

/// <summary>An organisation: owns projects and has a plan.</summary>
public sealed record Organization(long Id, string Name, Plan Plan);
