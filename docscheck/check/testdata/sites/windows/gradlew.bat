@rem gradle
