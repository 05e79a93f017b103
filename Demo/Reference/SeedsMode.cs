namespace Demo.Reference;

public sealed record SeedsMode(string Mode, int Count, double Share, double Low, double High);
