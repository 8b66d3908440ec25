"""How the app is served and what one server keeps: queue and access, session memory, Live Lab
jobs, class-game rooms, uploads, argument counts."""
