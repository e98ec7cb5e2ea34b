"""First names, surnames and street names drawn by the generator (fictitious people)."""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(" ".join(item.split()) for item in text.split(",") if item.strip())


NOMS = _split(
    """
    MARTIN, BERNARD, THOMAS, PETIT, ROBERT, RICHARD, DURAND, DUBOIS, MOREAU, LAURENT, SIMON,
    MICHEL, LEFEBVRE, LEROY, ROUX, DAVID, BERTRAND, MOREL, FOURNIER, GIRARD, BONNET, DUPONT,
    LAMBERT, FONTAINE, ROUSSEAU, VINCENT, MULLER, LEFEVRE, FAURE, ANDRE, MERCIER, BLANC, GUERIN,
    BOYER, GARNIER, CHEVALIER, FRANCOIS, LEGRAND, GAUTHIER, GARCIA, PERRIN, ROBIN, CLEMENT,
    MORIN, NICOLAS, HENRY, ROUSSEL, MATHIEU, GAUTIER, MASSON, MARCHAND, DUVAL, DENIS, DUMONT,
    MARIE, LEMAIRE, NOEL, MEYER, DUFOUR, MEUNIER, BRUN, BLANCHARD, GIRAUD, JOLY, RIVIERE, LUCAS,
    BRUNET, GAILLARD, BARBIER, ARNAUD, LE GALL, LE ROUX, LE GOFF, LE BIHAN, GUILLOU, LE BRIS, LE
    CORRE, TANGUY, LE MOAL, JEZEQUEL, KERBRAT, LE GUEN, LE BERRE, MADEC, CADIOU, LE FLOCH, LE
    BORGNE, HERVE, LE HIR, MORVAN, QUEMENER, LE MEUR, LE COZ, PRIGENT, RIOU, SALAUN, LE DREAU,
    GUEGUEN, BERTHELOT, COLLIN, RENAUD, BRETON, OLIVIER, PASQUIER, HAMON, PELLETIER, POIRIER,
    BESNARD, BOUCHER, GUILLET, BARRE, CHARRIER, BOURDIN, MENARD, GODARD, BAUDRY, RAIMBAULT,
    GUIBERT, JOUBERT, BILLARD, CHAUVIN, COUSIN, DELAUNAY, GUERIN, HUET, PAVAGEAU, RICHARDEAU,
    TESSIER, AUDOUIN, BOSSARD, GRONDIN, NGUYEN, DIALLO, TRAORE, BENALI, HADDAD, KACI, MENDES,
    PEREIRA, DA SILVA, FERREIRA, KOWALSKI, POPESCU, YILMAZ, SYLLA
    """
)

PRENOMS_FEMMES = _split(
    """
    Marie, Nathalie, Isabelle, Sylvie, Catherine, Sandrine, Christine, Valérie, Céline,
    Stéphanie, Aurélie, Émilie, Julie, Camille, Laura, Manon, Léa, Chloé, Emma, Inès, Jade,
    Louise, Alice, Lina, Rose, Anna, Zoé, Mila, Sarah, Clara, Lucie, Anaïs, Mélanie, Audrey,
    Élodie, Laëtitia, Karine, Monique, Françoise, Jacqueline, Martine, Nicole, Josiane, Annick,
    Gwenaëlle, Maëlle, Nolwenn, Soizic, Katell, Fatima, Aïcha, Mariama, Yasmine, Ana, Oksana,
    Elena, Morgane, Margaux, Océane, Pauline
    """
)

PRENOMS_HOMMES = _split(
    """
    Jean, Pierre, Michel, Philippe, Alain, Nicolas, Christophe, Patrick, Laurent, Stéphane,
    David, Sébastien, Julien, Thomas, Kevin, Maxime, Alexandre, Romain, Anthony, Lucas, Hugo,
    Léo, Gabriel, Louis, Raphaël, Jules, Arthur, Adam, Nathan, Noah, Ethan, Tom, Théo, Mathis,
    Enzo, Yann, Erwan, Gwenaël, Loïc, Ronan, Tanguy, Goulven, Bernard, Daniel, Gérard, René,
    André, Jacques, Mohamed, Karim, Mamadou, Moussa, Ibrahima, João, Andrei, Mehmet, Dylan,
    Florian, Jérôme, François
    """
)

VOIES = _split(
    """
    rue, rue, rue, avenue, boulevard, allée, impasse, place, chemin, route, square, résidence
    """
)

NOMS_DE_VOIES = _split(
    """
    des Lilas, de la Gare, du Port, Jean Jaurès, Victor Hugo, de la Mairie, des Écoles, Pasteur,
    du Général de Gaulle, de Bretagne, de la Loire, des Chênes, du Moulin, de l'Église, Anne de
    Bretagne, des Tilleuls, de la Libération, Jules Verne, Aristide Briand, de Verdun, des
    Peupliers, du Stade, Saint-Michel, de la République, des Mouettes, du Château, Émile Zola,
    de Nantes, de Rennes, des Acacias, de la Fontaine, Louis Pasteur, des Ajoncs, de Kerlann, de
    Kervénanec
    """
)
