# Build the Windows bundle from a clean checkout:
#
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1            # build\dist\llm-build-planner\
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1 -Installer # + the Inno Setup installer
#
# Needs Python 3.11+ (python.org or `winget install Python.Python.3.12`) and, for -Installer,
# Inno Setup 6 (`winget install JRSoftware.InnoSetup`).
param([switch]$Installer)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Py = Join-Path $Root ".venv\Scripts\python.exe"

function Invoke-Checked { & $args[0] $args[1..($args.Count - 1)]; if ($LASTEXITCODE -ne 0) { throw "failed: $args" } }

if (-not (Test-Path $Py)) {
    Write-Host "Creating virtual environment in .venv ..."
    Invoke-Checked py -3 -m venv .venv
}
Write-Host "== app and dependencies"
Invoke-Checked $Py -m pip install --quiet --disable-pip-version-check --upgrade pip
Invoke-Checked $Py -m pip install --quiet --disable-pip-version-check -e .
Invoke-Checked $Py -m planner catalog build
Write-Host "== build tools (packaging\requirements.txt)"
Invoke-Checked $Py -m pip install --quiet --disable-pip-version-check -r packaging\requirements.txt

Write-Host "== pyinstaller"
Invoke-Checked $Py -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath build\dist --workpath build\work packaging\planner.spec

$Bundle = Join-Path $Root "build\dist\llm-build-planner"
Invoke-Checked (Join-Path $Bundle "planner.exe") --version
$SizeMB = [math]::Round(((Get-ChildItem $Bundle -Recurse | Measure-Object Length -Sum).Sum / 1MB), 1)
Write-Host "bundle: $Bundle ($SizeMB MB)"

if ($Installer) {
    $Version = & $Py -c "import planner; print(planner.__version__)"
    $Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
    if (-not (Test-Path $Iscc)) { $Iscc = "ISCC.exe" }
    Invoke-Checked $Iscc "/DAppVersion=$Version" "/DBundleDir=$Bundle" "/O$(Join-Path $Root 'build\dist')" `
        packaging\windows\installer.iss
}
