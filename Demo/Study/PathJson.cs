namespace Demo.Study;

public sealed record PathJson(string Path, double[] Shares);
