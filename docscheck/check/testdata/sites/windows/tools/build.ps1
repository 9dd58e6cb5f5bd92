Write-Host build
