@echo off
rem Build, test, run the demo and the benchmarks. Usage:
rem   build.cmd demo [ARGS...]    restore, publish in Release (x64: NativeAOT when MSVC is installed, else ReadyToRun), run the demo with ARGS
rem   build.cmd test              build and run every test (and the kernel tests under forced vector widths)
rem   build.cmd bench [ARGS...]   the BenchmarkDotNet suite (--quick: a smoke run of every benchmark; --compare: Linux only)
rem   build.cmd mutate [--since[:REF]] [--all-tests] [FOLDER...]   Stryker.NET mutation testing, as ./build.sh mutate (not part of CI)
rem   build.cmd pack              the NuGet packages into artifacts\: the library LstmEngine (+ .snupkg) and the tool rnn-importance
rem   build.cmd docs              the API reference (docfx) with README.md and docs\ into artifacts\docs
setlocal EnableDelayedExpansion
rem The demo's arguments are the caller's: relative paths in them mean the folder build.cmd was called from, so the
rem builds run in the repository (pushd) and the demo from the caller's folder (popd first).
set "ROOT=%~dp0"
pushd "%ROOT%"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
where dotnet >nul 2>nul || (echo error: the .NET SDK 10.0 is not on PATH; install it from https://dot.net and retry 1>&2 & exit /b 1)
set "CMD=%~1"
if "%CMD%"=="" goto usage
shift
set "FIRST=%~1"
set "ARGS="
:collect
if "%~1"=="" goto dispatch
set ARGS=!ARGS! %1
shift
goto collect
:dispatch
if /i "%CMD%"=="demo" goto demo
if /i "%CMD%"=="test" goto test
if /i "%CMD%"=="bench" goto bench
if /i "%CMD%"=="mutate" goto mutate
if /i "%CMD%"=="pack" goto pack
if /i "%CMD%"=="docs" goto docs
goto usage
:demo
rem As ./build.sh demo: DEMO_BUILD=aot (NativeAOT, required), r2r (ReadyToRun) or jit (plain build); unset: NativeAOT on x64
rem when it can be built, else ReadyToRun. NativeAOT on Windows links with MSVC (Visual Studio or its Build Tools with the
rem C++ workload); without it the ReadyToRun build runs: the same results, a slower cold start (its generic loops are JIT-compiled).
set "OUT=%ROOT%Demo\bin\Release\net10.0"
if /i not "%PROCESSOR_ARCHITECTURE%"=="AMD64" goto demo_jit
if /i "%DEMO_BUILD%"=="jit" goto demo_jit
if /i "%DEMO_BUILD%"=="r2r" goto demo_r2r
set "WHY=MSVC's C++ build tools were not found"
set "MSVC="
set "VSWHERE=%ProgramFiles(x86)%\Microsoft Visual Studio\Installer\vswhere.exe"
if exist "%VSWHERE%" for /f "usebackq delims=" %%i in (`"%VSWHERE%" -latest -products * -requires Microsoft.VisualStudio.Component.VC.Tools.x86.x64 -property installationPath`) do set "MSVC=%%i"
if not defined MSVC goto demo_no_aot
if not exist Demo\obj mkdir Demo\obj
set "WHY=the NativeAOT publish failed, see Demo\obj\aot-publish.log"
dotnet publish Demo\Demo.csproj -c Release -r win-x64 -p:PublishAot=true -p:IlcInstructionSet=native -o "%OUT%\aot" --nologo -v quiet -clp:ErrorsOnly >Demo\obj\aot-publish.log 2>&1 || goto demo_no_aot
popd
"%OUT%\aot\demo.exe" %ARGS%
exit /b %ERRORLEVEL%
:demo_no_aot
if /i "%DEMO_BUILD%"=="aot" (echo error: DEMO_BUILD=aot: !WHY! 1>&2 & exit /b 1)
echo note: no NativeAOT build ^(!WHY!^); running the ReadyToRun build instead 1>&2
:demo_r2r
dotnet publish Demo\Demo.csproj -c Release -r win-x64 --self-contained false -p:PublishReadyToRun=true -o "%OUT%\r2r" --nologo -v quiet -clp:ErrorsOnly >nul || exit /b 1
popd
dotnet "%OUT%\r2r\demo.dll" %ARGS%
exit /b %ERRORLEVEL%
:demo_jit
dotnet build Demo\Demo.csproj -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
popd
dotnet "%OUT%\demo.dll" %ARGS%
exit /b %ERRORLEVEL%
:test
dotnet build LstmEngine.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
set FAILED=0
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo || set FAILED=1
dotnet test Demo.Tests\Demo.Tests.csproj -c Release --no-build --nologo || set FAILED=1
set DOTNET_PreferredVectorBitWidth=256
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo --filter Category=Kernels || set FAILED=1
set DOTNET_PreferredVectorBitWidth=128
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo --filter Category=Kernels || set FAILED=1
set DOTNET_PreferredVectorBitWidth=
set DOTNET_EnableHWIntrinsic=0
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo --filter Category=Kernels || set FAILED=1
set DOTNET_EnableHWIntrinsic=
if %FAILED%==1 (echo some tests failed & exit /b 1)
echo all test runs passed
exit /b 0
:bench
if /i "%FIRST%"=="--compare" (echo error: --compare runs the PyTorch peer from Debian packages; use ./build.sh bench --compare on Linux 1>&2 & exit /b 1)
dotnet build Engine.Bench\Engine.Bench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dotnet Engine.Bench\bin\Release\net10.0\Engine.Bench.dll %ARGS%
exit /b %ERRORLEVEL%
:mutate
rem One Stryker run per folder (settings in stryker-config.json); reports copied to StrykerOutput\<folder>\.
dotnet tool restore >nul || exit /b 1
set "SINCE="
set "ALLTESTS="
set "FOLDERS="
for %%a in (%ARGS%) do (
  set "A=%%~a"
  if /i "!A:~0,7!"=="--since" (set "SINCE=!A!") else if /i "!A!"=="--all-tests" (set "ALLTESTS=1") else (set "FOLDERS=!FOLDERS! !A:/=\!")
)
if not defined FOLDERS set "FOLDERS=Engine\Importance Engine\Losses Engine\Optimizers Engine\Layers Demo\Data"
set "SCORES="
for %%f in (%FOLDERS%) do (
  if not exist "%%f\" (echo error: mutate: no folder '%%f' 1>&2 & exit /b 1)
  for /f "tokens=1,* delims=\" %%p in ("%%f") do (
    echo == mutate: %%f
    if exist "StrykerOutput\%%p-%%q" rmdir /s /q "StrykerOutput\%%p-%%q"
    mkdir "StrykerOutput\%%p-%%q"
    rem The folder's own tests (as ./build.sh mutate; ^^! is a literal ! under delayed expansion).
    set "FILTER=FullyQualifiedName~%%p.Tests.%%q."
    set "FILTER=!FILTER:\=.!"
    if /i "%%f"=="Engine\Layers" set "FILTER=FullyQualifiedName~Engine.Tests.Layers.|FullyQualifiedName~Engine.Tests.Models."
    if defined ALLTESTS (set "FILTER=Category^!=Slow") else (set "FILTER=(Category^!=Slow)&(!FILTER!)")
    echo tests: !FILTER!
    pushd %%p
    if exist StrykerOutput rmdir /s /q StrykerOutput
    dotnet tool run dotnet-stryker -- -f ..\stryker-config.json -p %%p.csproj -tp ..\%%p.Tests\%%p.Tests.csproj -m "**/%%q/**/*.cs" --test-case-filter "!FILTER!" !SINCE! > "..\StrykerOutput\%%p-%%q\log.txt" || (popd & echo error: Stryker failed on %%f, see StrykerOutput\%%p-%%q\log.txt 1>&2 & exit /b 1)
    for /d %%d in (StrykerOutput\*) do copy /y "%%d\reports\*" "..\StrykerOutput\%%p-%%q\" >nul
    rmdir /s /q StrykerOutput
    popd
    for /f "tokens=*" %%l in ('findstr /c:"final mutation score" "StrykerOutput\%%p-%%q\log.txt"') do echo %%f: %%l
  )
)
exit /b 0
:pack
rem As ./build.sh pack (docs\PACKAGING.md): reproducible build settings, old packages removed first.
if exist artifacts del /q artifacts\*.nupkg artifacts\*.snupkg 2>nul
dotnet pack Engine\Engine.csproj -c Release -o artifacts -p:ContinuousIntegrationBuild=true --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dotnet pack Demo\Demo.csproj -c Release -o artifacts -p:ContinuousIntegrationBuild=true --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dir /b artifacts\*.nupkg artifacts\*.snupkg
exit /b 0
:docs
rem As ./build.sh docs: docfx from .config\dotnet-tools.json; a broken link or cross-reference fails the build.
dotnet build Engine\Engine.csproj -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dotnet tool restore >nul || exit /b 1
if exist artifacts\docs rmdir /s /q artifacts\docs
if exist artifacts\obj\api rmdir /s /q artifacts\obj\api
dotnet docfx docfx.json --warningsAsErrors --logLevel warning || exit /b 1
echo API reference and guide: artifacts\docs\index.html
exit /b 0
:usage
echo usage: build.cmd demo^|test^|bench^|mutate^|pack^|docs [ARGS...]
exit /b 1
